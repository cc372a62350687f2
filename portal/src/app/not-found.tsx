import Link from 'next/link'

export default function NotFound() {
  return (
    <main id="main" className="auth">
      <div className="card auth-card">
        <h1>Page not found</h1>
        <p className="hint">There is no portal page at this address.</p>
        <Link href="/overview" className="button primary block">
          Go to the overview
        </Link>
      </div>
    </main>
  )
}
