import { defineConfig } from 'vite';

// Library build of src/: one ESM entry; runtime dependencies stay external so apps dedupe them.
export default defineConfig({
  build: {
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'idb-sync.js' },
    outDir: 'dist',
    sourcemap: true,
    rollupOptions: { external: ['idb', 'rxjs', 'rxjs/operators', 'ky', 'zod'] },
  },
});
