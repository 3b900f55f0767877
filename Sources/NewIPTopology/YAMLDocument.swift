import CYaml

/// A YAML document as the readers use it: each node's kind, text and place, with a
/// collection's children as a range of one array. Built straight from libyaml's events:
/// Yams's node tree (a tag object and an enum box per node, a hash of every mapping's keys)
/// was half of reading a large topology. Immutable once built, so threads share it.
final class YAMLDocument: Sendable {
    fileprivate enum Kind: UInt8 { case scalar, sequence, mapping }

    fileprivate let kinds: [Kind]
    fileprivate let marks: [YAMLMark]
    /// A scalar's text; empty for collections.
    fileprivate let texts: [String]
    /// A collection's children in `children` (a mapping's as key, value, key, value…).
    fileprivate let ranges: [Range<Int>]
    fileprivate let children: [Int]

    fileprivate init(kinds: [Kind], marks: [YAMLMark], texts: [String], ranges: [Range<Int>], children: [Int]) {
        (self.kinds, self.marks, self.texts, self.ranges, self.children) = (kinds, marks, texts, ranges, children)
    }

    fileprivate func node(_ index: Int) -> YAMLNode {
        switch kinds[index] {
        case .scalar: .scalar(YAMLNode.Scalar(string: texts[index], mark: marks[index]))
        case .sequence: .sequence(YAMLNode.Sequence(document: self, children: ranges[index], mark: marks[index]))
        case .mapping: .mapping(YAMLNode.Mapping(document: self, children: ranges[index], mark: marks[index]))
        }
    }

    /// The root node of `yaml`'s single document, nil for an empty stream.
    static func root(of yaml: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var builder = Builder()
        try yaml.utf8CString.withUnsafeBufferPointer { (text) throws(YAMLSyntaxError) in
            try builder.parse(text)
        }
        return builder.root.map { builder.document().node($0) }
    }
}

/// Where a node starts, counted from 1 as editors do (libyaml counts columns in characters).
struct YAMLMark: Hashable, Sendable {
    let line: Int
    let column: Int
}

/// A node of a `YAMLDocument`: the cases the readers match on, each with its place.
enum YAMLNode: Sendable {
    case scalar(Scalar)
    case sequence(Sequence)
    case mapping(Mapping)

    struct Scalar: Sendable {
        /// The text as written, quotes and escapes resolved; never typed.
        let string: String
        let mark: YAMLMark
    }

    struct Sequence: RandomAccessCollection, Sendable {
        fileprivate let document: YAMLDocument
        fileprivate let children: Range<Int>
        let mark: YAMLMark

        var startIndex: Int { 0 }
        var endIndex: Int { children.count }
        subscript(position: Int) -> YAMLNode { document.node(document.children[children.lowerBound + position]) }
    }

    /// The pairs in file order.
    struct Mapping: RandomAccessCollection, Sendable {
        fileprivate let document: YAMLDocument
        fileprivate let children: Range<Int>
        let mark: YAMLMark

        var startIndex: Int { 0 }
        var endIndex: Int { children.count / 2 }
        subscript(position: Int) -> (key: YAMLNode, value: YAMLNode) {
            let first = children.lowerBound + 2 * position
            return (document.node(document.children[first]), document.node(document.children[first + 1]))
        }
    }

    var scalar: Scalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }

    var mark: YAMLMark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(let sequence): sequence.mark
        case .mapping(let mapping): mapping.mark
        }
    }
}

/// Why a text is not one YAML document, where libyaml (or the duplicate check) found it.
enum YAMLSyntaxError: Error {
    /// libyaml's scanner or parser, or an alias to no anchor.
    case syntax(problem: String, at: YAMLMark)
    /// `key` appears twice in one mapping; `first` is where it first appears, `again` where it
    /// appears the second time (usually the mistake).
    case duplicateKey(String, first: YAMLMark, again: YAMLMark)
    /// Bytes libyaml cannot read (a control character), at a byte offset of the text.
    case unreadable(problem: String, offset: Int)
}

/// Collects libyaml's events into a document's arrays.
private struct Builder {
    var kinds: [YAMLDocument.Kind] = []
    var marks: [YAMLMark] = []
    var texts: [String] = []
    var ranges: [Range<Int>] = []
    var children: [Int] = []
    var root: Int?
    /// The open collections, each with the children read so far and its anchor, which names
    /// it only once it is closed (as Yams's composer registers it): an alias inside a
    /// collection to the collection itself is undefined, so no document contains itself.
    var open: [(node: Int, children: [Int], anchor: String?)] = []
    var anchors: [String: Int] = [:]

    func document() -> YAMLDocument {
        YAMLDocument(kinds: kinds, marks: marks, texts: texts, ranges: ranges, children: children)
    }

    mutating func parse(_ text: UnsafeBufferPointer<CChar>) throws(YAMLSyntaxError) {
        var parser = yaml_parser_t()
        yaml_parser_initialize(&parser)
        defer { yaml_parser_delete(&parser) }
        // The text without its terminating NUL.
        text.withMemoryRebound(to: UInt8.self) { yaml_parser_set_input_string(&parser, $0.baseAddress, $0.count - 1) }
        var documents = 0
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { throw Self.error(of: parser) }
            defer { yaml_event_delete(&event) }
            let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                guard documents == 1 else { throw .syntax(problem: "but found another document", at: mark) }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length)), as: UTF8.self)
                let index = add(.scalar, mark, text)
                if let anchor = scalar.anchor { anchors[String(cString: anchor)] = index }
                attach(index)
            case YAML_SEQUENCE_START_EVENT:
                open.append((add(.sequence, mark, ""), [], event.data.sequence_start.anchor.map { String(cString: $0) }))
            case YAML_MAPPING_START_EVENT:
                open.append((add(.mapping, mark, ""), [], event.data.mapping_start.anchor.map { String(cString: $0) }))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let closed = open.removeLast()
                if kinds[closed.node] == .mapping { try checkKeys(closed.children) }
                ranges[closed.node] = children.count..<children.count + closed.children.count
                children += closed.children
                if let anchor = closed.anchor { anchors[anchor] = closed.node }
                attach(closed.node)
            case YAML_ALIAS_EVENT:
                guard let index = event.data.alias.anchor.flatMap({ anchors[String(cString: $0)] }) else {
                    throw .syntax(problem: "found undefined alias", at: mark)
                }
                attach(index)
            default:
                continue
            }
        }
    }

    private mutating func add(_ kind: YAMLDocument.Kind, _ mark: YAMLMark, _ text: String) -> Int {
        kinds.append(kind)
        marks.append(mark)
        texts.append(text)
        ranges.append(0..<0)
        return kinds.count - 1
    }

    private mutating func attach(_ index: Int) {
        if open.isEmpty { root = index } else { open[open.count - 1].children.append(index) }
    }

    /// Yams's check, kept so files mean what they did: a key written twice is an error,
    /// reported for the first (in text order) of the repeated keys, where it first appears.
    private func checkKeys(_ pairs: [Int]) throws(YAMLSyntaxError) {
        guard pairs.count > 2 else { return }
        var repeated: String?
        if pairs.count <= 32 {
            // A flow's or an interface's few keys: compared pairwise, with no table to fill.
            for key in stride(from: 2, to: pairs.count, by: 2) where kinds[pairs[key]] == .scalar {
                let text = texts[pairs[key]]
                guard repeated.map({ text < $0 }) ?? true,
                      stride(from: 0, to: key, by: 2).contains(where: { kinds[pairs[$0]] == .scalar && texts[pairs[$0]] == text }) else { continue }
                repeated = text
            }
        } else {
            var seen: Set<String> = []
            for key in stride(from: 0, to: pairs.count, by: 2) where kinds[pairs[key]] == .scalar && !seen.insert(texts[pairs[key]]).inserted {
                repeated = min(repeated ?? texts[pairs[key]], texts[pairs[key]])
            }
        }
        guard let repeated else { return }
        let places = stride(from: 0, to: pairs.count, by: 2).filter { kinds[pairs[$0]] == .scalar && texts[pairs[$0]] == repeated }
        throw .duplicateKey(repeated, first: marks[pairs[places[0]]], again: marks[pairs[places[1]]])
    }

    private static func error(of parser: yaml_parser_t) -> YAMLSyntaxError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        guard parser.error == YAML_SCANNER_ERROR || parser.error == YAML_PARSER_ERROR else {
            return .unreadable(problem: problem, offset: Int(parser.problem_offset))
        }
        return .syntax(problem: problem, at: YAMLMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1))
    }
}
