/**
 * How a process that cannot start says so: one line per configuration problem, one line for a
 * start-up failure (each naming the variable to fix), and exit code 1. Anything else is a bug and
 * keeps its stack trace.
 */
import { ConfigError, StartupError } from '../env.js'

export function exitOnStartupFailure(error: unknown): never {
  if (error instanceof ConfigError) for (const problem of error.problems) console.error(`config error: ${problem}`)
  else if (error instanceof StartupError) console.error(`start-up error: ${error.variable}: ${error.message}`)
  else console.error(error)
  process.exit(1)
}
