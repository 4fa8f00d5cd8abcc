<#
    Reads the fenced code blocks of the project's markdown (README.md,
    docs/cmdlets/*.md), so that the specs run the commands exactly as the
    documents show them. Dot-sourced at discovery (the examples become tests)
    and at run time.
#>

function Get-MarkdownCodeBlock {
    # Every fenced block of a file, with its language, the heading it sits under and that heading's parent.
    param([string] $Path)
    $headings = @{}
    $code = $null
    foreach ($line in Get-Content $Path) {
        if ($null -ne $code) {
            if ($line -match '^```\s*$') {
                [pscustomobject]@{
                    File = Split-Path -Leaf $Path; Language = $language
                    Section = $headings[2]; Heading = $headings[$level]; Code = ($code -join "`n")
                }
                $code = $null
            }
            else { $code.Add($line) }
        }
        elseif ($line -match '^(#{1,6})\s+(.+?)\s*$') {
            $level = $Matches[1].Length
            $headings[$level] = $Matches[2]
            foreach ($deeper in ($level + 1)..6) { $headings.Remove($deeper) }
        }
        elseif ($line -match '^```(\S*)') {
            $language = $Matches[1]
            $code = [Collections.Generic.List[string]]::new()
        }
    }
}

function Split-PowerShellStep {
    <#
        A walk-through block as the steps a user types: one per line, a line
        ending in a pipe carries on to the next; comment-only and blank lines
        are not steps. Each step keeps its text, comment and all.
    #>
    param([string] $Code)
    $step = ''
    foreach ($line in $Code -split "`n") {
        if ($step -eq '' -and $line -match '^\s*(#|$)') { continue }
        $step = if ($step) { "$step`n$line" } else { $line }
        if ($line -notmatch '\|\s*$') { $step; $step = '' }
    }
    if ($step) { $step }
}
