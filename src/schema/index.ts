/** The GraphQL schema: each resource file adds its types and fields to the builder. */
import { builder } from './builder.js'
import './accounts.js'
import './portal.js'
import './api-keys.js'
import './conversations.js'

export const schema = builder.toSchema({ sortSchema: true })
