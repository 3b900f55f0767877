import NewIPJSON

/// SVG elements as plain text with fixed number formats (two decimals, never exponents), so
/// the same picture gives the same bytes on every machine.
enum SVGText {
    /// The opening tag of a standalone picture `width` × `height` with a white background.
    static func document(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n"
            + "<title>\(escaped(title))</title>\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + text(width / 2, 20, title, extra: " font-size=\"14\"")
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black", extra: String = "") -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\"\(extra)/>\n"
    }

    static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String, extra: String = "") -> String {
        "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\"\(extra)/>\n"
    }

    /// `content` is escaped here.
    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "middle", extra: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\"\(extra)>\(escaped(content))</text>\n"
    }

    /// An open line through `points`, tagged with the series it draws.
    static func polyline(_ points: [(x: Double, y: Double)], stroke: String, series: String, dashed: Bool = false) -> String {
        "<polyline class=\"series\" data-series=\"\(escaped(series))\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\""
            + (dashed ? " stroke-dasharray=\"6 3\"" : "")
            + " points=\"\(points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " "))\"/>\n"
    }

    static func n(_ value: Double) -> String { DecimalText.fixed(value, digits: 2) }

    /// One pass over the text (plots of thousands of flows escape every label; four
    /// Foundation replacements per string were a seventh of such a run).
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") })
        else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Colours for series, in order (a colour-blind-safe palette); every second series is
    /// dashed, so two series with identical results both stay visible (and print in grey).
    static let palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"]

    static func colour(_ index: Int) -> (stroke: String, dashed: Bool) {
        (palette[index % palette.count], index % 2 == 1)
    }
}
