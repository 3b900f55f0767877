import NewIPDecode
import NewIPTopology

/// A JSON document built in code and printed with sorted keys and fixed number formats,
/// so the same results always print the same bytes.
enum JSONText {
    case object([String: JSONText])
    case array([JSONText])
    case string(String)
    case integer(Int64)
    /// A number printed with this many decimals.
    case decimal(Double, digits: Int)

    static func int(_ value: Int) -> JSONText { .integer(Int64(value)) }

    /// Two-space indented text ending in a newline.
    var text: String {
        var out = ""
        write(to: &out, indent: "")
        return out + "\n"
    }

    private func write(to out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, key) in members.keys.sorted().enumerated() {
                out += inner + Self.quoted(key) + ": "
                members[key]!.write(to: &out, indent: inner)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                item.write(to: &out, indent: inner)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .string(let value): out += Self.quoted(value)
        case .integer(let value): out += String(value)
        case .decimal(let value, let digits): out += DecimalText.fixed(value, digits: digits)
        }
    }

    private static func quoted(_ text: String) -> String {
        var out = ""
        JSONValue.writeString(text, to: &out)  // NewIPDecode's escaping
        return out
    }
}
