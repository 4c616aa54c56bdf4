// TypeDoc plugin: every property of a named interface or class of ours must be documented.
// TypeDoc's own `notDocumented` check (requiredToBeDocumented) covers every exported name and method
// but, with `Property` in its list, also every member of an anonymous object type, including the
// shapes the protocol's schemas infer. Those are documented where they are declared (the schema and
// docs/protocol.md), so properties are checked here, on named declarations only.
import { Application, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    for (const reflection of project.getReflectionsByKind(ReflectionKind.Property)) {
      const parent = reflection.parent;
      if (parent === undefined || !parent.kindOf(ReflectionKind.Interface | ReflectionKind.Class)) continue;
      if (reflection.hasComment()) continue;
      if (
        reflection.type?.type === 'reflection' &&
        reflection.type.declaration.signatures?.[0]?.hasComment()
      ) {
        continue;
      }
      const symbol = project.getSymbolIdFromReflection(reflection);
      if (symbol === undefined || symbol.packageName !== project.packageName) continue;
      app.logger.validationWarning(
        `${reflection.getFriendlyFullName()} (property of ${ReflectionKind[parent.kind]}), defined in ${symbol.packagePath}, has no documentation`,
      );
    }
  });
}
