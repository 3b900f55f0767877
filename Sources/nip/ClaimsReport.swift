import NewIPAnalysis
import NewIPEmulator
import NewIPJSON

/// Everything `nip claims` computes, as the files of `--out`: report.md (the Markdown of
/// docs/claims.md with the plots), report.html (the same, self-contained: pictures inline, no
/// network), claims.json (the numbers the tables come from) and one SVG file per plot.
struct ClaimsReport {
    let headerOverhead: HeaderOverheadStudy
    let sourceAuthentication: SourceAuthenticationOverhead
    let baselines: QueueBaselines
    let baselinesSource: String

    /// The document docs/claims.md holds (no plots: they live in the --out folder).
    var markdown: String {
        headerOverhead.markdown() + "\n" + sourceAuthentication.markdown() + "\n" + baselines.markdown(source: baselinesSource)
    }

    /// `markdown` with the baselines' plots after their verdict.
    var reportMarkdown: String {
        var out = markdown + "\n### Plots\n\n"
            + "Delay CDFs count the packets *sent*: a curve that ends below 1 lost the rest. The green band is the contract's "
            + "window [min, max]. Throughput is what the receiver got per bin of virtual time.\n"
        for plot in baselines.plots { out += "\n![\(plot.title)](\(plot.name))\n" }
        return out
    }

    var json: JSONValue {
        .object([
            ("generated_by", .string("nip claims")),
            ("header_overhead", .array(headerOverhead.links.map { link in
                .object([
                    ("link", .string(link.name)), ("link_overhead_bytes", .int(link.overhead)), ("mtu", .int(link.mtu)),
                    ("rows", .array(headerOverhead.rows(for: link).map { row in
                        .object([
                            ("header", .string(row.variant.name)), ("bytes", .int(row.variant.headerBytes)),
                            ("frame_overhead", .int(row.frameOverhead)),
                            ("saving_vs_ipv4", .decimal(row.saving(against: .ipv4), digits: 6)),
                            ("saving_vs_ipv6", .decimal(row.saving(against: .ipv6), digits: 6)),
                        ])
                    })),
                ])
            })),
            ("source_authentication", .array(sourceAuthentication.rows.map { row in
                .object([
                    ("header", .string(row.name)), ("sizing", .string(row.sizing.rawValue)), ("header_bytes", .int(row.headerBytes)),
                    ("authentication_bytes", .int(row.authenticationBytes)),
                ])
            })),
            ("lbf_baselines", baselines.json),
        ])
    }

    var files: [(name: String, contents: [UInt8])] {
        let plots = baselines.plots
        let html = MarkdownHTML.page(title: "New IP claims checked", markdown: reportMarkdown,
                                     pictures: Dictionary(uniqueKeysWithValues: plots.map { ($0.name, $0.svg) }))
        return [("report.md", Array(reportMarkdown.utf8)), ("report.html", Array(html.utf8)),
                ("claims.json", Array(json.indentedText.utf8))]
            + plots.map { ($0.name, Array($0.svg.utf8)) }
    }
}
