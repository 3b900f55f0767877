/// A pipe table as docs/claims.md writes them: the first `textColumns` columns left-aligned,
/// the rest (numbers) right-aligned.
enum MarkdownTable {
    static func text(header: [String], rows: [[String]], textColumns: Int = 1) -> String {
        let rule = "|" + header.indices.map { $0 < textColumns ? "---|" : "---:|" }.joined()
        return ([header] + rows).enumerated().map { index, row in
            "| " + row.joined(separator: " | ") + " |\n" + (index == 0 ? rule + "\n" : "")
        }.joined()
    }
}
