import Foundation

/// The Markdown the project's reports are written in, as one self-contained HTML page:
/// headings, paragraphs, lists (continuation lines indented), pipe tables (`---:` columns
/// right-aligned), inline code, bold and italics; a line that is only an image of an SVG
/// file (`![title](name.svg)`) becomes that picture inline, so the page needs no other file
/// and no network. Every table with a header row sorts by a column when its header is clicked
/// (inline script; numbers as numbers). Deterministic: the same text gives the same bytes.
public enum MarkdownHTML {
    /// `markdown` as a page titled `title`; `pictures` maps image file names to SVG text.
    public static func page(title: String, markdown: String, pictures: [String: String]) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>\(escaped(title))</title>\n<style>\n"
            + style + "</style>\n</head>\n<body>\n" + body(markdown, pictures: pictures) + "<script>\n" + sorting
            + "</script>\n</body>\n</html>\n"
    }

    static let style = """
        body { font-family: sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; }
        th { background: #f0f0f0; }
        td.number, th.number { text-align: right; }
        thead th { cursor: pointer; }
        th[aria-sort="ascending"]::after { content: " \\25B2"; }
        th[aria-sort="descending"]::after { content: " \\25BC"; }
        code { background: #f4f4f4; padding: 0 0.2em; }
        figure { margin: 1.5em 0; }
        figcaption { font-size: 0.9em; color: #444; }

        """

    /// Click a header: its table's rows sorted by that column, ascending, then descending on
    /// the next click. A cell that starts with a number (after dropping thousands separators:
    /// `1,234`, `90.9 %`, `79 queue-full`) sorts by it, below cells that do not, which sort
    /// as text; ties keep their order.
    static let sorting = """
        document.addEventListener("click", function (event) {
          var header = event.target.closest("thead th");
          if (!header) return;
          var table = header.closest("table"), column = header.cellIndex;
          var ascending = header.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(header.parentNode.cells, function (cell) { cell.removeAttribute("aria-sort"); });
          header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          function key(row) {
            var text = row.cells[column] ? row.cells[column].textContent.trim() : "";
            var number = parseFloat(text.replace(/,/g, ""));
            return isNaN(number) ? text : number;
          }
          function compare(a, b) {
            var x = key(a), y = key(b);
            if (typeof x === "number" && typeof y === "number") return x - y;
            if (typeof x === "number") return -1;
            if (typeof y === "number") return 1;
            return x < y ? -1 : x > y ? 1 : 0;
          }
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) { return ascending ? compare(a, b) : compare(b, a); });
          rows.forEach(function (row) { body.appendChild(row); });
        });

        """

    static func body(_ markdown: String, pictures: [String: String]) -> String {
        var out = "", paragraph: [String] = [], items: [String] = [], table: [[String]] = []
        func flush() {
            if !paragraph.isEmpty { out += "<p>" + inline(paragraph.joined(separator: " ")) + "</p>\n" }
            if !items.isEmpty { out += "<ul>\n" + items.map { "<li>" + inline($0) + "</li>\n" }.joined() + "</ul>\n" }
            if !table.isEmpty { out += tableHTML(table) }
            paragraph = []; items = []; table = []
        }
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("  "), !items.isEmpty, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                items[items.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            if line.hasPrefix("|") {
                if table.isEmpty { flush() }
                table.append(cells(line))
                continue
            }
            if let level = headingLevel(line) {
                flush()
                let text = String(line.dropFirst(level + 1))
                out += "<h\(level) id=\"\(anchor(text))\">\(inline(text))</h\(level)>\n"
            } else if line.hasPrefix("- ") {
                if items.isEmpty { flush() }
                items.append(String(line.dropFirst(2)))
            } else if let image = image(line) {
                flush()
                out += "<figure>\n" + (pictures[image.file] ?? "<p>missing picture \(escaped(image.file))</p>\n")
                    + "<figcaption>\(inline(image.title))</figcaption>\n</figure>\n"
            } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
                flush()
            } else {
                if !items.isEmpty || !table.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        flush()
        return out
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        return (1...6).contains(hashes) && line.dropFirst(hashes).hasPrefix(" ") ? hashes : nil
    }

    /// `![title](file)` alone on a line.
    static func image(_ line: String) -> (title: String, file: String)? {
        guard line.hasPrefix("!["), line.hasSuffix(")"), let middle = line.range(of: "](") else { return nil }
        return (String(line[line.index(line.startIndex, offsetBy: 2)..<middle.lowerBound]),
                String(line[middle.upperBound..<line.index(before: line.endIndex)]))
    }

    private static func cells(_ line: String) -> [String] {
        var cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        cells.removeFirst()
        if cells.last?.isEmpty == true { cells.removeLast() }
        return cells
    }

    private static func tableHTML(_ rows: [[String]]) -> String {
        let isRule = rows.count > 1 && rows[1].allSatisfy { !$0.isEmpty && $0.allSatisfy { "-:".contains($0) } }
        let numeric = isRule ? rows[1].map { $0.hasSuffix(":") } : []
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            let right = column < numeric.count && numeric[column]
            return "<\(tag)\(right ? " class=\"number\"" : "")>\(inline(text))</\(tag)>"
        }
        var out = "<table>\n"
        let body = isRule ? Array(rows.dropFirst(2)) : rows
        if isRule { out += "<thead><tr>" + rows[0].enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>\n" }
        out += "<tbody>\n" + body.map { "<tr>" + $0.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>\n" }.joined()
        return out + "</tbody>\n</table>\n"
    }

    /// Escapes, then `code` spans (kept literal), `**bold**` and `*italics*` outside them.
    static func inline(_ text: String) -> String {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { index, part in
            index % 2 == 1 ? "<code>\(escaped(String(part)))</code>" : emphasis(escaped(String(part)))
        }.joined()
    }

    private static func emphasis(_ text: String) -> String {
        var out = text
        for (marker, tag) in [("**", "strong"), ("*", "em")] {
            let parts = out.components(separatedBy: marker)
            guard parts.count >= 3 else { continue }
            out = parts.enumerated().map { index, part in
                guard index > 0 else { return part }
                // Pairs of markers open and close; an unpaired last one stays as written.
                if index % 2 == 1 { return index == parts.count - 1 ? marker + part : "<\(tag)>" + part }
                return "</\(tag)>" + part
            }.joined()
        }
        return out
    }

    private static func anchor(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
