// For the Prisma CLI only (generate; `migrate deploy` where its engine can be downloaded).
// The server applies prisma/migrations itself at start-up (src/db/migrate.ts).
import { defineConfig } from 'prisma/config'

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/unused' },
})
