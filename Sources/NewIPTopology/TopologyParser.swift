import NewIPDataPlane
import NewIPFiles
import Yams

/// Reads a topology file (docs/topology.md) and validates all of it before anything runs:
/// every problem is reported as `file:line:column: what is wrong — how to fix it`, and a
/// file with any problem yields no topology.
public enum TopologyParser {
    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(TopologyError) -> Topology {
        let yaml: String
        do {
            yaml = try InputFile.text(path)
        } catch {
            // The problem is the whole file: no line, and the file problem says what to do.
            throw TopologyError([TopologyDiagnostic(at: SourceLocation(file: path, line: 0, column: 0), error.problem, fix: "")])
        }
        return try parse(yaml: yaml, file: path)
    }

    /// Parses `yaml`; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws(TopologyError) -> Topology {
        let reader = YAMLReader(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw TopologyError([syntaxDiagnostic(error, file: file, yaml: yaml)])
        }
        guard let root else {
            throw TopologyError([TopologyDiagnostic(at: SourceLocation(file: file, line: 1, column: 1),
                                                    "the file is empty", fix: "describe nodes, links and flows (see docs/topology.md)")])
        }
        let topology = TopologyBuilder(reader: reader).build(root, defaultName: Self.baseName(file))
        guard reader.diagnostics.isEmpty, let topology else { throw TopologyError(reader.diagnostics) }
        return topology
    }

    /// Yams reports a duplicate key where it first appears; the mistake is usually the
    /// later one. In block style that is the next line at the same column that starts with
    /// the key, before the mapping ends (a line indented less).
    private static func repeatedKey(_ key: String, after first: Mark, in yaml: String) -> Int? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = first.column - 1
        for index in first.line..<lines.count {
            let line = Substring.UnicodeScalarView(lines[index].unicodeScalars)
            let leading = line.prefix { $0 == " " }.count
            let content = line.dropFirst(leading)
            guard !content.isEmpty, content.first != "#" else { continue }
            if leading < indent { return nil }
            let text = String(String.UnicodeScalarView(content))
            if leading == indent, text.hasPrefix(key + ":") || text.hasPrefix("\"\(key)\":") {
                return index + 1
            }
        }
        return nil
    }

    private static func baseName(_ file: String) -> String {
        let last = file.split(separator: "/").last.map(String.init) ?? file
        return last.split(separator: ".").first.map(String.init) ?? last
    }

    /// A YAML syntax error with the position Yams found it at.
    private static func syntaxDiagnostic(_ error: Error, file: String, yaml: String) -> TopologyDiagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return TopologyDiagnostic(at: at(mark), "YAML syntax: \(problem)", fix: "check indentation, colons and quotes on this line")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let line = repeatedKey(key, after: first, in: yaml) ?? first.line
            return TopologyDiagnostic(at: SourceLocation(file: file, line: line, column: first.column),
                                      "`\(key)` is defined twice in the same mapping (first at line \(first.line))",
                                      fix: "keep one definition (an interface, node or setting is defined once)")
        default:
            return TopologyDiagnostic(at: SourceLocation(file: file, line: 1, column: 1), "YAML: \(error)",
                                      fix: "check the file is valid YAML")
        }
    }
}
