/**
 * The install and pre-run step, in plain JavaScript because it runs where tsx may be absent.
 *
 * A full install (`npm ci`, dev dependencies included) builds everything the server needs: the
 * Prisma client and typed documents, the portal's static export and the server bundles. A
 * production install (`npm ci --omit=dev`) has none of those tools: there it checks that the
 * artifacts were built beforehand (a container's build stage copies them) and fails, naming
 * them, when they were not.
 *
 * Usage: `node src/cli/artifacts.mjs all` (postinstall) or `node src/cli/artifacts.mjs server`
 * (before `npm start`, `npm run db:migrate`, `npm run worker`, `npm run admin`: rebuilds the bundles when esbuild is
 * installed, so they never run stale sources).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')
const installed = (name) => existsSync(path.join(root, 'node_modules', name, 'package.json'))

const steps = {
  all: {
    script: 'build',
    tools: ['prisma', '@graphql-codegen/cli', 'next', 'esbuild', 'tsx'],
    artifacts: [
      'src/generated/prisma/client.ts',
      'portal/out/index.html',
      'src/generated/main.mjs',
      'src/generated/cli/migrate.mjs',
      'src/generated/cli/worker.mjs',
      'src/generated/cli/admin.mjs',
    ],
  },
  server: {
    script: 'build:server',
    tools: ['esbuild', 'tsx'],
    artifacts: ['src/generated/main.mjs', 'src/generated/cli/migrate.mjs', 'src/generated/cli/worker.mjs', 'src/generated/cli/admin.mjs'],
  },
}

const step = steps[process.argv[2]]
if (!step) {
  console.error(`usage: node src/cli/artifacts.mjs ${Object.keys(steps).join('|')}`)
  process.exit(2)
}

if (step.tools.every(installed)) {
  const { status } = spawnSync('npm', ['run', step.script], { cwd: root, stdio: 'inherit' })
  process.exit(status ?? 1)
}

const missing = step.artifacts.filter((file) => !existsSync(path.join(root, file)))
if (missing.length > 0) {
  console.error(
    [
      `Missing build output: ${missing.join(', ')}.`,
      `The tools that build it are dev dependencies (${step.tools.filter((t) => !installed(t)).join(', ')} not installed).`,
      'Run a full `npm ci` first (without --omit=dev or NODE_ENV=production), then install for production over the built tree.',
    ].join('\n'),
  )
  process.exit(1)
}
