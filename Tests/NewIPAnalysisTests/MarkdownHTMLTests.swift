@testable import NewIPAnalysis
import XCTest

/// The Markdown subset of the generated reports, rendered to HTML exactly.
final class MarkdownHTMLTests: XCTestCase {
    func testHeadingsListsTablesInlineMarksAndInlinePictures() {
        let markdown = """
        ## Two & more

        Text with `a<b` and **bold** and *words*,
        joined.

        - one
          continued
        - two

        | name | bytes |
        |---|---:|
        | `x` | 5 |

        ![The *picture*](p.svg)
        """
        XCTAssertEqual(MarkdownHTML.body(markdown, pictures: ["p.svg": "<svg/>\n"]), """
        <h2 id="two---more">Two &amp; more</h2>
        <p>Text with <code>a&lt;b</code> and <strong>bold</strong> and <em>words</em>, joined.</p>
        <ul>
        <li>one continued</li>
        <li>two</li>
        </ul>
        <table>
        <thead><tr><th>name</th><th class="number">bytes</th></tr></thead>
        <tbody>
        <tr><td><code>x</code></td><td class="number">5</td></tr>
        </tbody>
        </table>
        <figure>
        <svg/>
        <figcaption>The <em>picture</em></figcaption>
        </figure>

        """)
        XCTAssertTrue(MarkdownHTML.body("![gone](q.svg)", pictures: [:]).contains("missing picture q.svg"))
        XCTAssertEqual(MarkdownHTML.inline("2 * 3 = 6"), "2 * 3 = 6", "a lone star stays")
    }
}
