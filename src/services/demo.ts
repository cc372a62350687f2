import type { Logger } from 'pino'
export async function seedDemoData(logger: Logger) {
  logger.info('demo data: not yet')
}
