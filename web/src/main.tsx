import { Component, type ErrorInfo, type ReactNode, StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app.tsx'
import './styles.css'

/** A failure while drawing shows its message and a way back, never a blank page. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {}
  static getDerivedStateFromError(error: Error) {
    return { error }
  }
  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(error, info.componentStack)
  }
  override render() {
    if (!this.state.error) return this.props.children
    return (
      <main className="login" id="main">
        <h1>Something went wrong</h1>
        <div className="error-note" role="alert">
          {this.state.error.message}
        </div>
        <button type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </main>
    )
  }
}

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary>
        <App />
      </ErrorBoundary>
    </StrictMode>,
  )
}
