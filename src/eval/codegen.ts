/**
 * The one place generated JavaScript becomes a function. A page whose
 * Content-Security-Policy lacks 'unsafe-eval' refuses `new Function`; that
 * refusal becomes a `CodeGenerationRefusedError` that says so, and the graph
 * compiler answers it by interpreting instead (see `compileGraph`).
 */

/** This environment refuses to compile generated JavaScript (a Content-Security-Policy without 'unsafe-eval'). */
export class CodeGenerationRefusedError extends Error {
  override readonly name = 'CodeGenerationRefusedError'
}

/** `new Function(...params, source)`, or a `CodeGenerationRefusedError` naming `what` needed it. */
export const generatedFunction = <F>(params: readonly string[], source: string, what: string): F => {
  try {
    return new Function(...params, source) as F
  } catch (e) {
    if (e instanceof EvalError) {
      throw new CodeGenerationRefusedError(
        `${what} is compiled to JavaScript, which this environment refuses (${e.message}); ` +
          "allow it with the Content-Security-Policy source 'unsafe-eval'"
      )
    }
    throw e
  }
}
