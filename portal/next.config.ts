import type { NextConfig } from 'next'

/**
 * A static, client-side app: `next build portal` exports plain files to portal/out, which the
 * API server serves under /portal (src/endpoints/portal.ts). Pages talk only to /graphql.
 */
const config: NextConfig = {
  basePath: '/portal',
  output: 'export',
  images: { unoptimized: true },
  poweredByHeader: false,
  reactStrictMode: true,
}

export default config
