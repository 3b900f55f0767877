import NewIPAnalysis
import NewIPEmulator

/// Chapter 1 of `nip demo`: the surgery traffic under LBF and the baselines, side by side.
extension DemoStory {
    func surgery() -> String {
        guard let contracted = baselines.contracted, let window = flow(contracted, in: trimming)?.window else { return "" }
        var out = "\n1. Remote surgery across a congested 20 Mbps core (bulk backups in bursts), "
            + "window \(ms(window.min))–\(ms(window.max)) ms end to end\n"
        out += "   The same traffic with every queue the network writes as LBF replaced (shares of sent packets; delays in ms):\n"
        for variant in QueueBaselines.Variant.allCases { out += "   · \(variant.rawValue): \(variant.meaning)\n" }
        out += formatTable(header: QueueBaselines.header, rows: baselines.rows)
            .split(separator: "\n").map { "   " + $0 }.joined(separator: "\n") + "\n"
        for finding in baselines.findings { out += "   → \(finding)\n" }
        return out
    }
}
