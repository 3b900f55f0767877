import NewIPFiles

/// Typed reads from a `YAMLDocument`'s nodes that remember where each value was written, and
/// collect every problem instead of stopping at the first, so one run of the parser
/// reports all of a file's mistakes. Topology files and node files are read by it alike.
final class YAMLReader {
    let file: String
    /// The page that documents the file's keys, named when one is missing.
    let guide: String
    private(set) var diagnostics: [TopologyDiagnostic] = []
    /// Quantities by their text, for `quantity(_:_:units.duration)` and the like.
    let units = UnitCache()

    init(file: String, guide: String) {
        self.file = file
        self.guide = guide
    }

    func location(_ node: YAMLNode?) -> SourceLocation {
        location(node?.mark)
    }

    func location(_ mark: YAMLMark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ node: YAMLNode?, _ problem: String, fix: String) {
        error(at: location(node), problem, fix: fix)
    }

    func error(at location: SourceLocation, _ problem: String, fix: String) {
        diagnostics.append(TopologyDiagnostic(at: location, problem, fix: fix))
    }

    /// What another reader of the same file found (a part read on another thread).
    func append(_ found: [TopologyDiagnostic]) {
        diagnostics += found
    }

    /// The keys of a mapping, checked against what `context` allows and requires.
    struct Fields {
        /// The mapping itself, for errors about the whole entry.
        let node: YAMLNode
        /// A handful of keys (a flow has at most 16), so a scan of the names beats hashing
        /// each: a dictionary per mapping was a large part of reading a million flows.
        private let names: [String]
        private let pairs: [(key: YAMLNode, value: YAMLNode)]

        init(node: YAMLNode, names: [String], pairs: [(key: YAMLNode, value: YAMLNode)]) {
            self.node = node
            self.names = names
            self.pairs = pairs
        }

        // The last of a repeated key, as a dictionary kept it.
        subscript(key: String) -> YAMLNode? { names.lastIndex(of: key).map { pairs[$0].value } }
        func key(_ key: String) -> YAMLNode? { names.lastIndex(of: key).map { pairs[$0].key } }
    }

    /// Reads `node` as a mapping of known keys: an unknown key is reported with the closest
    /// known one, a missing required key at the start of the mapping.
    func fields(_ node: YAMLNode, _ context: String, allowed: [String], required: [String] = []) -> Fields? {
        guard let mapping = mapping(node, context) else { return nil }
        var names: [String] = [], pairs: [(key: YAMLNode, value: YAMLNode)] = []
        names.reserveCapacity(mapping.count)
        pairs.reserveCapacity(mapping.count)
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(key, "a key of \(context) is not a plain word", fix: "write keys as words, e.g. \(allowed.first ?? "name")")
                continue
            }
            guard allowed.contains(name) else {
                let hint = Suggestion.closest(to: name, in: allowed)
                error(key, "unknown key `\(name)` in \(context)" + (hint.map { " (did you mean `\($0)`?)" } ?? ""),
                      fix: hint.map { "rename it to `\($0)`" } ?? "remove it; \(context) takes \(allowed.joined(separator: ", "))")
                continue
            }
            names.append(name)
            pairs.append((key, value))
        }
        for name in required where !names.contains(name) {
            error(node, "\(context) is missing `\(name)`", fix: "add `\(name): …` (see \(guide))")
        }
        return Fields(node: node, names: names, pairs: pairs)
    }

    /// The pairs of a mapping in file order; reports anything else.
    func mapping(_ node: YAMLNode, _ context: String) -> YAMLNode.Mapping? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(context) must be a mapping of `key: value` lines", fix: "indent `key: value` lines under it")
            return nil
        }
        return mapping
    }

    func sequence(_ node: YAMLNode, _ context: String) -> [YAMLNode]? {
        guard case .sequence(let sequence) = node else {
            error(node, "\(context) must be a list", fix: "write one `- …` item per entry")
            return nil
        }
        return Array(sequence)
    }

    /// A list's items, or one value as a list of one (`routes: 10.0.0.0/8` for `[10.0.0.0/8]`).
    func items(_ node: YAMLNode) -> [YAMLNode] {
        if case .sequence(let sequence) = node { return Array(sequence) }
        return [node]
    }

    /// A scalar's text as written (so `0xDE00` stays hex and `on` stays a word).
    func text(_ node: YAMLNode, _ context: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(context) is \(Self.kind(of: node)), not a single value", fix: "write it on the same line after the colon")
            return nil
        }
        return scalar.string
    }

    /// What a node that should have been one value is: "a list ([1, 2])".
    private static func kind(of node: YAMLNode) -> String {
        switch node {
        case .sequence(let items):
            let values = items.map { $0.scalar?.string ?? "…" }
            return values.count <= 4 ? "a list ([\(values.joined(separator: ", "))])" : "a list of \(values.count) items"
        case .mapping: return "a mapping"
        case .scalar(let scalar): return "`\(scalar.string)`"
        }
    }

    /// A name usable in endpoints and file names.
    func name(_ node: YAMLNode, _ context: String) -> String? {
        guard let text = text(node, context) else { return nil }
        guard !text.isEmpty, text.unicodeScalars.allSatisfy(isNameCharacter) else {
            error(node, "\(context) `\(text)` may use only letters, digits, `_`, `-` and `.`",
                  fix: "rename it, e.g. `\(Self.suggestedName(text))`")
            return nil
        }
        return text
    }

    private static func suggestedName(_ text: String) -> String {
        let kept = String(text.unicodeScalars.filter(isNameCharacter).map(Character.init))
        return kept.isEmpty ? "n1" : kept
    }

    func integer(_ node: YAMLNode, _ context: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = text(node, context) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            error(node, "\(context) `\(text)` is not a whole number in \(range.lowerBound)…\(range.upperBound)",
                  fix: "write a whole number such as \(range.lowerBound == 0 ? 1 : range.lowerBound)")
            return nil
        }
        return value
    }

    func probability(_ node: YAMLNode, _ context: String) -> Double? {
        guard let text = text(node, context) else { return nil }
        guard let value = Double(text), value >= 0, value <= 1 else {
            error(node, "\(context) `\(text)` is not a probability", fix: "write a number from 0 to 1, e.g. 0.001")
            return nil
        }
        return value
    }

    func bool(_ node: YAMLNode, _ context: String) -> Bool? {
        guard let text = text(node, context) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            error(node, "\(context) `\(text)` is not true or false", fix: "write true or false")
            return nil
        }
    }

    /// One of a closed set of words.
    func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ context: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = text(node, context) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        error(node, "unknown \(context) `\(text)`\(Suggestion.hint(for: text, in: names))",
              fix: "use one of \(names.joined(separator: ", "))")
        return nil
    }

    /// A quantity parsed by one of `Units`' functions.
    func quantity<T>(_ node: YAMLNode, _ context: String, _ parse: (String) throws(UnitProblem) -> T) -> T? {
        guard let text = text(node, context) else { return nil }
        do {
            return try parse(text)
        } catch {
            self.error(node, "\(context): \(error.problem)", fix: error.fix)
            return nil
        }
    }
}

// MARK: Documents

extension YAMLReader {
    /// The text of the file at `path` (`option` names the option that gave it); a file that
    /// cannot be read is one problem about the whole file, with no line.
    static func text(ofFile path: String, option: String? = nil) throws(TopologyError) -> String {
        do {
            return try InputFile.text(path, option: option)
        } catch {
            throw TopologyError([TopologyDiagnostic(at: SourceLocation(file: error.subject, line: 0, column: 0), error.problem, fix: "")])
        }
    }

    /// The root of `yaml`: a syntax error is reported where libyaml found it, and an empty
    /// file with `fix`.
    static func root(of yaml: String, file: String, empty fix: String) throws(TopologyError) -> YAMLNode {
        let root: YAMLNode?
        do {
            root = try YAMLDocument.root(of: yaml)
        } catch {
            throw TopologyError([syntaxDiagnostic(error, file: file)])
        }
        guard let root else {
            throw TopologyError([TopologyDiagnostic(at: SourceLocation(file: file, line: 1, column: 1), "the file is empty", fix: fix)])
        }
        return root
    }

    /// A YAML syntax error with the position libyaml found it at.
    private static func syntaxDiagnostic(_ error: YAMLSyntaxError, file: String) -> TopologyDiagnostic {
        switch error {
        case .syntax(let problem, let mark):
            return TopologyDiagnostic(at: SourceLocation(file: file, line: mark.line, column: mark.column), "YAML syntax: \(problem)",
                                      fix: "check indentation, colons and quotes on this line")
        case .duplicateKey(let key, let first, let again):
            return TopologyDiagnostic(at: SourceLocation(file: file, line: again.line, column: again.column),
                                      "`\(key)` is defined twice in the same mapping (first at line \(first.line))",
                                      fix: "keep one definition (an interface, node or setting is defined once)")
        case .unreadable(let problem, let offset):
            return TopologyDiagnostic(at: SourceLocation(file: file, line: 1, column: 1), "YAML: \(problem) at byte offset \(offset)",
                                      fix: "remove the character there: the file must be UTF-8 text without control characters")
        }
    }
}

/// Letters, digits, `_`, `-`, `.`: safe in `node:interface` endpoints and in file names.
private func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": true
    default: false
    }
}
