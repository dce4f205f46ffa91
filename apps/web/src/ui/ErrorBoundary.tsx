import { Component, type ErrorInfo, type ReactNode } from 'react'

interface State {
  error: Error | null
}

/** Shows a readable message instead of a blank page when a screen throws. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null }

  static getDerivedStateFromError(error: Error): State {
    return { error }
  }

  override componentDidCatch(_error: Error, _info: ErrorInfo): void {
    // Rendered below; nothing to report to.
  }

  override render(): ReactNode {
    if (this.state.error)
      return (
        <div className="notice notice--error" role="alert" data-testid="page-error">
          Something went wrong on this page: {this.state.error.message}
          <button type="button" className="btn btn--ghost" onClick={() => this.setState({ error: null })}>
            Retry
          </button>
        </div>
      )
    return this.props.children
  }
}
