// The transactional collection local writes go to (user-scoped `work_orders` on the server).

/** The server collection and the local store name. */
export const WORK_ORDERS = 'work_orders';

/** A work order as the demo app writes it (~400 bytes). */
export interface WorkOrder {
  id: string;
  title: string;
  status: string;
  priority: string;
  customerId: string;
  serviceTypeId: string;
  scheduledAt: string;
  notes: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** The `i`-th work order of a batch whose ids start with `prefix`. */
export function workOrder(prefix: string, i: number): WorkOrder {
  return {
    id: `${prefix}-${String(i).padStart(5, '0')}`,
    title: `Inspection of boiler ${i}`,
    status: ['open', 'scheduled', 'in_progress'][i % 3] ?? 'open',
    priority: ['low', 'normal', 'high', 'urgent'][i % 4] ?? 'normal',
    customerId: `cu-${String(1 + (i % 50)).padStart(5, '0')}`,
    serviceTypeId: `st-${String(1 + ((i * 97) % 1000)).padStart(6, '0')}`,
    scheduledAt: new Date(Date.UTC(2025, 0, 6, 8) + i * 5_400_000).toISOString(),
    notes:
      'The technician checks every connection and documents the condition with photos before starting. ' +
      'Replacement parts are taken from the van stock whenever possible to avoid a second visit.',
    updatedAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
  };
}
