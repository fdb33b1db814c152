declare module 'gltf-validator' {
  export interface ValidationMessage {
    code: string
    message: string
    /** 0 error, 1 warning, 2 information, 3 hint. */
    severity: number
    pointer?: string
    offset?: number
  }

  export interface ValidationReport {
    uri?: string
    validatorVersion: string
    issues: {
      numErrors: number
      numWarnings: number
      numInfos: number
      numHints: number
      messages: ValidationMessage[]
      truncated: boolean
    }
    info?: Record<string, unknown>
  }

  export interface ValidationOptions {
    uri?: string
    format?: 'glb' | 'gltf'
    externalResourceFunction?: (uri: string) => Promise<Uint8Array>
    writeTimestamp?: boolean
    maxIssues?: number
    ignoredIssues?: string[]
    onlyIssues?: string[]
    severityOverrides?: Record<string, number>
  }

  export function validateBytes(data: Uint8Array, options?: ValidationOptions): Promise<ValidationReport>
  export function validateString(json: string, options?: ValidationOptions): Promise<ValidationReport>
  export function version(): string
  export function supportedExtensions(): string[]

  const validator: {
    validateBytes: typeof validateBytes
    validateString: typeof validateString
    version: typeof version
    supportedExtensions: typeof supportedExtensions
  }
  export default validator
}
