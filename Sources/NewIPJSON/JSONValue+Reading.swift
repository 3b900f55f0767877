import Foundation

// Reading JSON: Foundation's `JSONDecoder` does the parsing (no parser of our own), into a
// `JSONValue`; typed accessors then read it, and a missing or mistyped field is an error that
// names the field, never a crash.
//
// Numbers: integers become `.int` (or `.unsigned` beyond `Int.max`), every other number
// `.double`. Objects: `JSONDecoder` does not keep the order of an object's keys, so a parsed
// object has its keys sorted (the same value for the same text); when a key appears twice, one
// of the values is kept. Readers look members up by key, so the order never matters to them.

extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        // The common kinds first: every failed attempt costs a thrown error.
        if let value = try? container.decode(Int.self) { self = .int(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode(Double.self) {
            // A whole number beyond `Int.max` but within 64 bits keeps every digit.
            if value >= 0x1p63, let unsigned = try? container.decode(UInt64.self) { self = .unsigned(unsigned); return }
            self = .double(value)
            return
        }
        if let value = try? container.decode([String: JSONValue].self) { self = .members(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        // An element of an array or a member failed deeper down: decoding it again says where.
        if let error = Self.deeperError(container) { throw error }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "a number beyond ±1.8e308 or a string that is not valid Unicode")
    }

    /// The error of an array or object whose own element could not be decoded, if it is one.
    private static func deeperError(_ container: any SingleValueDecodingContainer) -> (any Error)? {
        for attempt in [{ _ = try container.decode([JSONValue].self) }, { _ = try container.decode([String: JSONValue].self) }] {
            do { try attempt() } catch DecodingError.typeMismatch { continue } catch { return error }
        }
        return nil
    }

    /// Why bytes are not JSON, and where: `line`:`column` (from 1, columns in bytes) for a
    /// syntax error, `path` (`flows[3].name`) for a value no Swift type holds.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var line: Int?
        public var column: Int?
        public var path: String?
        public var reason: String

        public var description: String {
            if let line, let column { return "not JSON at line \(line), column \(column): \(reason)" }
            if let path, !path.isEmpty { return "not JSON at `\(path)`: \(reason)" }
            return "not JSON: \(reason)"
        }
    }

    /// Parses JSON text (UTF-8).
    public static func parse(_ bytes: some Collection<UInt8>) throws(ParseError) -> JSONValue {
        let data = Data(bytes)
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw syntaxError(in: data, decoderSaid: context.debugDescription)
        } catch let DecodingError.dataCorrupted(context) {
            throw ParseError(path: Self.path(context.codingPath), reason: context.debugDescription)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.keyNotFound(_, context) {
            throw ParseError(path: Self.path(context.codingPath), reason: context.debugDescription)
        } catch {
            throw ParseError(reason: "\(error)")
        }
    }

    public static func parse(_ text: String) throws(ParseError) -> JSONValue { try parse(text.utf8) }

    /// `JSONDecoder` on Linux says only that the data is not valid JSON; `JSONSerialization`
    /// (same rules) says where, as a byte offset, turned here into a line and column.
    private static func syntaxError(in data: Data, decoderSaid: String) -> ParseError {
        if data.isEmpty { return ParseError(reason: "the text is empty") }
        let message: String
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return ParseError(reason: decoderSaid)
        } catch {
            message = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? decoderSaid
        }
        var line = 1, column = 1
        if let match = message.firstMatch(of: #/around line (\d+), column (\d+)/#), let l = Int(match.1), let c = Int(match.2) {
            (line, column) = (l, c)
        } else {
            let offset: Int
            if let match = message.firstMatch(of: #/around character (\d+)/#), let value = Int(match.1) {
                offset = min(value, data.count)
            } else if message.localizedCaseInsensitiveContains("end of file") {
                offset = data.count
            } else {
                return ParseError(reason: message)
            }
            for byte in data.prefix(offset) {
                if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            }
        }
        let reason = message.replacing(#/ around (character \d+|line \d+, column \d+)/#, with: "")
            .trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        return ParseError(line: line, column: column, reason: reason.isEmpty ? message : reason)
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }
}

// MARK: Accessors

extension JSONValue {
    /// The member `key` of an object (the first, if it appears twice); `nil` for a missing
    /// member or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The element at `index` of an array; `nil` past its end or for a value that is not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// A whole number that fits `Int` (a double or decimal only when it has no fraction).
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .unsigned(let value): Int(exactly: value)
        case .double(let value), .decimal(let value, _): Int(exactly: value)
        default: nil
        }
    }

    /// A whole number from 0 to `UInt64.max`.
    public var unsignedValue: UInt64? {
        switch self {
        case .int(let value): UInt64(exactly: value)
        case .unsigned(let value): value
        case .double(let value), .decimal(let value, _): UInt64(exactly: value)
        default: nil
        }
    }

    /// Any number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .unsigned(let value): Double(value)
        case .double(let value), .decimal(let value, _): value
        default: nil
        }
    }

    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
    /// An object's members in their order.
    public var objectValue: [(String, JSONValue)]? { if case .object(let members) = self { members } else { nil } }

    /// An object's members by key (the first of a key that appears twice).
    public var dictionaryValue: [String: JSONValue]? {
        objectValue.map { Dictionary($0, uniquingKeysWith: { first, _ in first }) }
    }

    /// What kind of value this is, for messages: "a string", "an object", ...
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .unsigned: "an integer"
        case .double, .decimal: intValue != nil ? "an integer" : "a number with a fraction"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

// MARK: Required fields

extension JSONValue {
    /// A field that is missing or not of the type a reader needs: `field` is its path
    /// (`interfaces.eth0.rx_packets`), empty for the whole value read.
    public struct FieldError: Error, CustomStringConvertible, Sendable {
        public var field: String
        public var problem: String

        public init(field: String, problem: String) {
            self.field = field
            self.problem = problem
        }

        public var description: String { field.isEmpty ? "the value \(problem)" : "`\(field)` \(problem)" }

        /// The same error for a field inside `outer` (`flows[2]` + `name` → `flows[2].name`).
        public func inside(_ outer: String) -> FieldError {
            FieldError(field: outer + (field.isEmpty || field.hasPrefix("[") ? "" : ".") + field, problem: problem)
        }
    }

    /// The member at `path` (keys of nested objects), or an error naming the first missing one.
    public func field(_ path: String...) throws(FieldError) -> JSONValue { try field(path) }

    public func field(_ path: [String]) throws(FieldError) -> JSONValue {
        var value = self
        for (depth, key) in path.enumerated() {
            guard case .object = value else {
                let at = path[..<depth].joined(separator: ".")
                throw FieldError(field: at, problem: "is \(value.kind), not an object")
            }
            guard let member = value[key] else {
                throw FieldError(field: path[...depth].joined(separator: "."), problem: "is missing")
            }
            value = member
        }
        return value
    }

    private func typed<T>(_ path: [String], _ expected: String, _ read: (JSONValue) -> T?) throws(FieldError) -> T {
        let value = try field(path)
        guard let result = read(value) else {
            throw FieldError(field: path.joined(separator: "."),
                             problem: "is \(value.kind)\(value.shortText), not \(expected)")
        }
        return result
    }

    /// ` (text)` of a short scalar, for messages.
    private var shortText: String {
        switch self {
        case .object, .array, .null: return ""
        default:
            let text = serialized
            return text.count <= 40 ? " (\(text))" : ""
        }
    }

    public func int(_ path: String...) throws(FieldError) -> Int { try typed(path, "an integer", \.intValue) }
    public func unsigned(_ path: String...) throws(FieldError) -> UInt64 { try typed(path, "an integer from 0", \.unsignedValue) }
    public func double(_ path: String...) throws(FieldError) -> Double { try typed(path, "a number", \.doubleValue) }
    public func string(_ path: String...) throws(FieldError) -> String { try typed(path, "a string", \.stringValue) }
    public func bool(_ path: String...) throws(FieldError) -> Bool { try typed(path, "true or false", \.boolValue) }
    public func array(_ path: String...) throws(FieldError) -> [JSONValue] { try typed(path, "an array", \.arrayValue) }
    public func object(_ path: String...) throws(FieldError) -> [(String, JSONValue)] { try typed(path, "an object", \.objectValue) }

    /// An object of integers (drop counts by reason), by key.
    public func intMembers(_ path: String...) throws(FieldError) -> [String: Int] {
        let members = try typed(path, "an object", \.objectValue)
        var result: [String: Int] = [:]
        for (key, value) in members {
            guard let number = value.intValue else {
                throw FieldError(field: (path + [key]).joined(separator: "."), problem: "is \(value.kind)\(value.shortText), not an integer")
            }
            if result[key] == nil { result[key] = number }
        }
        return result
    }

    /// The string at `path`, or `nil` when it is missing or null; another type is an error naming it.
    public func optionalString(_ path: String...) throws(FieldError) -> String? {
        try optionalField(path).map { _ throws(FieldError) in try typed(path, "a string", \.stringValue) }
    }

    /// The integer at `path`, or `nil` when it is missing or null; another type is an error naming it.
    public func optionalInt(_ path: String...) throws(FieldError) -> Int? {
        try optionalField(path).map { _ throws(FieldError) in try typed(path, "an integer", \.intValue) }
    }

    /// The member at `path`, or `nil` when it is missing or null (an object on the way that is
    /// missing is `nil` too; one that is not an object is an error).
    public func optionalField(_ path: String...) throws(FieldError) -> JSONValue? { try optionalField(path) }

    public func optionalField(_ path: [String]) throws(FieldError) -> JSONValue? {
        var value = self
        for (depth, key) in path.enumerated() {
            guard case .object = value else {
                if value.isNull { return nil }
                let at = path[..<depth].joined(separator: ".")
                throw FieldError(field: at, problem: "is \(value.kind), not an object")
            }
            guard let member = value[key], !member.isNull else { return nil }
            value = member
        }
        return value
    }
}
