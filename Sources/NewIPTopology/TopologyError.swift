/// A line and column in a topology or node file (1-based; line 0: the file as a whole), kept
/// for errors found after parsing.
public struct SourceLocation: Hashable, Sendable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
}

/// One problem in a topology or node file: where, what is wrong, and how to fix it.
public struct TopologyDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var problem: String
    public var fix: String

    public init(at location: SourceLocation, _ problem: String, fix: String) {
        self.location = location
        self.problem = problem
        self.fix = fix
    }

    /// `file:line:column: what is wrong — how to fix it`, as compilers print errors.
    public var description: String {
        let place = location.line > 0 ? "\(location.file):\(location.line):\(location.column)" : location.file
        return "\(place): \(problem)" + (fix.isEmpty ? "" : " — \(fix)")
    }
}

/// Everything wrong with a topology or node file, in file order; nothing runs while there is any.
public struct TopologyError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [TopologyDiagnostic]

    public init(_ diagnostics: [TopologyDiagnostic]) {
        self.diagnostics = diagnostics.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
