/// A failure the user can act on: printed as `Error: <message>` with exit status 1, no usage text.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
