// Errors of the PocketIC REST API: values with an HTTP status and the text PocketIC clients show.
// Instance operations answer `{"message": …}`; creating an instance answers `{"Error": {"message": …}}`.

export class PocketIcError extends Error {
  readonly status: number;
  /** `message`: `{"message": …}`; `nested`: `{"Error": {"message": …}}`. */
  readonly shape: 'message' | 'nested';
  constructor(status: number, message: string, shape: 'message' | 'nested' = 'message') {
    super(message);
    this.name = 'PocketIcError';
    this.status = status;
    this.shape = shape;
  }

  body(): unknown {
    return this.shape === 'nested' ? { Error: { message: this.message } } : { message: this.message };
  }
}

/** The text of the real server for requests to a deleted instance. */
export function instanceDeleted(): PocketIcError {
  return new PocketIcError(400, 'Instance was deleted');
}

export function instanceNotFound(id: string): PocketIcError {
  return new PocketIcError(404, `Instance not found: ${id}`);
}

export function badConfig(message: string): PocketIcError {
  return new PocketIcError(400, `Bad config: ${message}`, 'nested');
}
