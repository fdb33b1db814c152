export { setupPostgresql as default } from './global-setup.ts'
