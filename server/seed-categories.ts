/**
 * The service categories of the seeded `service_types`. Shared by the seed (which spreads rows over
 * them) and the demo's category filter, so the two cannot drift apart. No Node imports: the demo
 * page bundles it.
 */
export const SERVICE_CATEGORIES = [
  'Plumbing',
  'Electrical',
  'HVAC',
  'Carpentry',
  'Painting',
  'Roofing',
  'Landscaping',
  'Cleaning',
  'Appliance repair',
  'Locksmith',
  'Pest control',
  'Flooring',
] as const;
