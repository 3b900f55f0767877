import ArgumentParser
import Foundation
import NewIPAnalysis

struct ClaimsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Compute the header-overhead study from the codecs and write it as Markdown (docs/claims.md).")

    @Option(help: "Write the Markdown here instead of standard output.")
    var output: String?

    func run() throws {
        let markdown = HeaderOverheadStudy().markdown()
        guard let output else {
            print(markdown, terminator: "")
            return
        }
        // Written to a temporary file and renamed, so a failure never leaves half a document.
        try Data(markdown.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        print("wrote \(output)")
    }
}
