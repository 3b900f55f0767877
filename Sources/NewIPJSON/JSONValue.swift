/// The project's one JSON encoding: a value that keeps object keys in the order given, with
/// numbers printed exactly (integers, unsigned 64-bit, fixed decimals), rendered on one line
/// (`serialized`: `nip decode --json`, `nip bench --json`) or indented (`indentedText`:
/// results files). The same value always prints the same bytes.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number that may use all 64 bits (a ping clause's timestamp).
    case unsigned(UInt64)
    case double(Double)
    /// A number printed with exactly this many decimals, never in exponent notation.
    case decimal(Double, digits: Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized == rhs.serialized }

    /// An object with its keys sorted, built from a dictionary.
    public static func members(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public static func integer(_ value: Int64) -> JSONValue { .int(Int(value)) }

    /// Two-space indented text ending in a newline.
    public var indentedText: String { String(decoding: indentedBytes, as: UTF8.self) }

    /// `indentedText` as UTF-8, written into one byte array: a results.json of 100,000 flows
    /// is tens of megabytes, and building it from small strings was most of writing it.
    public var indentedBytes: [UInt8] {
        var out: [UInt8] = []
        writeIndented(to: &out, depth: 0)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private func writeIndented(to out: inout [UInt8], depth: Int) {
        switch self {
        case .object(let members):
            guard !members.isEmpty else { out += "{}".utf8; return }
            out += "{\n".utf8
            for (index, (key, value)) in members.enumerated() {
                Self.indent(&out, depth + 1)
                JSONValue.writeString(key, to: &out)
                out += ": ".utf8
                value.writeIndented(to: &out, depth: depth + 1)
                out += index == members.count - 1 ? "\n".utf8 : ",\n".utf8
            }
            Self.indent(&out, depth)
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            guard !items.isEmpty else { out += "[]".utf8; return }
            out += "[\n".utf8
            for (index, item) in items.enumerated() {
                Self.indent(&out, depth + 1)
                item.writeIndented(to: &out, depth: depth + 1)
                out += index == items.count - 1 ? "\n".utf8 : ",\n".utf8
            }
            Self.indent(&out, depth)
            out.append(UInt8(ascii: "]"))
        default: write(to: &out)
        }
    }

    private static func indent(_ out: inout [UInt8], _ depth: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    public var serialized: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let value): out += (value ? "true" : "false").utf8
        case .int(let value): out += String(value).utf8
        case .unsigned(let value): out += String(value).utf8
        case .double(let value): out += (value.isFinite ? "\(value)" : "null").utf8
        case .decimal(let value, let digits): out += DecimalText.fixed(value, digits: digits).utf8
        case .string(let value): JSONValue.writeString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out += ", ".utf8 }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += ", ".utf8 }
                JSONValue.writeString(key, to: &out)
                out += ": ".utf8
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `value` as a JSON string literal (quotes and control characters escaped), in UTF-8.
    private static func writeString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\"".utf8
            case UInt8(ascii: "\\"): out += "\\\\".utf8
            case UInt8(ascii: "\n"): out += "\\n".utf8
            case UInt8(ascii: "\r"): out += "\\r".utf8
            case UInt8(ascii: "\t"): out += "\\t".utf8
            case ..<0x20:
                let hex = String(byte, radix: 16)
                out += "\\u".utf8
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 4 - hex.utf8.count))
                out += hex.utf8
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
