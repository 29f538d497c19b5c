// The catalogue's ID: its folder under the report folder (reports/secure-gateways/diagnostics/…).
// Apart from catalogue.ts so that the runner can name the folder without loading the steps.
export const CATALOGUE_ID = 'secure-gateways';
