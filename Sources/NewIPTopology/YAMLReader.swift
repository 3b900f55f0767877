import Yams

/// Typed reads from a Yams node tree that remember where each value was written, and
/// collect every problem instead of stopping at the first, so one run of the parser
/// reports all of a file's mistakes.
final class YAMLReader {
    let file: String
    private(set) var diagnostics: [TopologyDiagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: Node?) -> SourceLocation {
        location(node?.mark)
    }

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ node: Node?, _ problem: String, fix: String) {
        diagnostics.append(TopologyDiagnostic(at: location(node), problem, fix: fix))
    }

    /// The keys of a mapping, checked against what `context` allows and requires.
    struct Fields {
        /// The mapping itself, for errors about the whole entry.
        let node: Node
        private let values: [String: (key: Node, value: Node)]

        init(node: Node, values: [String: (key: Node, value: Node)]) {
            self.node = node
            self.values = values
        }

        subscript(key: String) -> Node? { values[key]?.value }
        func key(_ key: String) -> Node? { values[key]?.key }
    }

    /// Reads `node` as a mapping of known keys: an unknown key is reported with the closest
    /// known one, a missing required key at the start of the mapping.
    func fields(_ node: Node, _ context: String, allowed: [String], required: [String] = []) -> Fields? {
        guard let mapping = mapping(node, context) else { return nil }
        var values: [String: (key: Node, value: Node)] = [:]
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
            values[name] = (key, value)
        }
        for name in required where values[name] == nil {
            error(node, "\(context) is missing `\(name)`", fix: "add `\(name): …` (see docs/topology.md)")
        }
        return Fields(node: node, values: values)
    }

    /// The pairs of a mapping in file order; reports anything else.
    func mapping(_ node: Node, _ context: String) -> Node.Mapping? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(context) must be a mapping of `key: value` lines", fix: "indent `key: value` lines under it")
            return nil
        }
        return mapping
    }

    func sequence(_ node: Node, _ context: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error(node, "\(context) must be a list", fix: "write one `- …` item per entry")
            return nil
        }
        return Array(sequence)
    }

    /// A scalar's text as written (so `0xDE00` stays hex and `on` stays a word).
    func text(_ node: Node, _ context: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(context) must be a single value", fix: "write it on the same line after the colon")
            return nil
        }
        return scalar.string
    }

    /// A name usable in endpoints and file names.
    func name(_ node: Node, _ context: String) -> String? {
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

    func integer(_ node: Node, _ context: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = text(node, context) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            error(node, "\(context) `\(text)` is not a whole number in \(range.lowerBound)…\(range.upperBound)",
                  fix: "write a whole number such as \(range.lowerBound == 0 ? 1 : range.lowerBound)")
            return nil
        }
        return value
    }

    func probability(_ node: Node, _ context: String) -> Double? {
        guard let text = text(node, context) else { return nil }
        guard let value = Double(text), value >= 0, value <= 1 else {
            error(node, "\(context) `\(text)` is not a probability", fix: "write a number from 0 to 1, e.g. 0.001")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ context: String) -> Bool? {
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
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ context: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = text(node, context) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        error(node, "unknown \(context) `\(text)`\(Suggestion.hint(for: text, in: names))",
              fix: "use one of \(names.joined(separator: ", "))")
        return nil
    }

    /// A quantity parsed by one of `Units`' functions.
    func quantity<T>(_ node: Node, _ context: String, _ parse: (String) throws(UnitProblem) -> T) -> T? {
        guard let text = text(node, context) else { return nil }
        do {
            return try parse(text)
        } catch {
            self.error(node, "\(context): \(error.problem)", fix: error.fix)
            return nil
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
