using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace LguestPS.HelpGen;

/*
 * Reads a platyPS markdown file (schema 2.0.0): YAML front matter, "# Name",
 * then "## SYNOPSIS", "## SYNTAX" (### per parameter set), "## DESCRIPTION",
 * "## EXAMPLES" (### per example: a code block, maybe output, then remarks),
 * "## PARAMETERS" (### -Name, text, then a yaml block per group of sets),
 * "## INPUTS", "## OUTPUTS" (### per type), "## NOTES", "## RELATED LINKS".
 * Anything out of shape is an error naming the file and the heading: help
 * that silently drops a section is worse than a failed build.
 */
public static class MarkdownHelpReader
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    public static CommandHelp ReadFile(string path) => Read(File.ReadAllText(path), path);

    public static CommandHelp Read(string markdown, string sourcePath = "<text>")
    {
        var help = new CommandHelp { SourcePath = sourcePath };
        var doc = Markdown.Parse(markdown, Pipeline);
        string section = "";
        ExampleHelp? example = null;
        ParameterHelp? parameter = null;
        string? syntaxSet = null;
        List<string>? typeDescription = null;

        foreach (var block in doc)
        {
            switch (block)
            {
                case YamlFrontMatterBlock yaml:
                    foreach (var (k, v) in YamlPairs(Lines(yaml))) help.FrontMatter[k] = v;
                    break;

                case HeadingBlock { Level: 1 } h1:
                    help.Name = Text(h1.Inline).Trim();
                    break;

                case HeadingBlock { Level: 2 } h2:
                    section = Text(h2.Inline).Trim().ToUpperInvariant();
                    example = null; parameter = null; syntaxSet = null; typeDescription = null;
                    break;

                case HeadingBlock { Level: 3 } h3:
                {
                    string title = Text(h3.Inline).Trim();
                    switch (section)
                    {
                        case "SYNTAX": syntaxSet = title; break;
                        case "EXAMPLES":
                            example = new ExampleHelp { Title = title };
                            help.Examples.Add(example);
                            break;
                        case "PARAMETERS":
                            if (title.Equals("CommonParameters", StringComparison.OrdinalIgnoreCase))
                            {
                                help.HasCommonParameters = true;
                                parameter = null;
                            }
                            else
                            {
                                if (!title.StartsWith('-')) throw Bad(help, $"parameter heading '{title}' must start with '-'");
                                parameter = new ParameterHelp { Name = title[1..] };
                                help.Parameters.Add(parameter);
                            }
                            break;
                        case "INPUTS":
                        case "OUTPUTS":
                            typeDescription = new List<string>();
                            (section == "INPUTS" ? help.Inputs : help.Outputs).Add(new TypeHelp(title, typeDescription));
                            break;
                        default: throw Bad(help, $"unexpected '### {title}' under '## {section}'");
                    }
                    break;
                }

                case FencedCodeBlock code:
                {
                    string text = string.Join("\n", Lines(code));
                    switch (section)
                    {
                        case "SYNTAX":
                            syntaxSet ??= "__AllParameterSets"; // platyPS writes a single set without a heading
                            bool isDefault = syntaxSet.EndsWith("(Default)", StringComparison.OrdinalIgnoreCase);
                            string set = isDefault ? syntaxSet[..^"(Default)".Length].Trim() : syntaxSet;
                            help.Syntax.Add(new SyntaxSet(set, isDefault, text));
                            break;
                        case "EXAMPLES":
                            if (example == null) throw Bad(help, "an example's code needs a '### Example' heading");
                            if (example.Code.Length == 0) example.Code = text;
                            else example.Output.Add(text);
                            break;
                        case "PARAMETERS":
                            if (parameter == null) throw Bad(help, "a yaml block outside a parameter");
                            parameter.Metadata.Add(ParseMetadata(help, parameter.Name, text));
                            break;
                        default: throw Bad(help, $"unexpected code block under '## {section}'");
                    }
                    break;
                }

                default:
                {
                    var paragraphs = Paragraphs(block);
                    switch (section)
                    {
                        case "SYNOPSIS": help.Synopsis.AddRange(paragraphs); break;
                        case "DESCRIPTION": help.Description.AddRange(paragraphs); break;
                        case "EXAMPLES": example?.Remarks.AddRange(paragraphs); break;
                        case "PARAMETERS": parameter?.Description.AddRange(paragraphs); break;
                        case "INPUTS":
                        case "OUTPUTS": typeDescription?.AddRange(paragraphs); break;
                        case "NOTES": help.Notes.AddRange(paragraphs); break;
                        case "RELATED LINKS":
                            foreach (var link in Links(block))
                                help.RelatedLinks.Add((Text(link).Trim(), link.Url ?? ""));
                            break;
                    }
                    break;
                }
            }
        }
        if (help.Name.Length == 0) throw Bad(help, "no '# <Cmdlet-Name>' heading");
        return help;
    }

    private static ParameterMetadata ParseMetadata(CommandHelp help, string parameter, string yaml)
    {
        var m = new ParameterMetadata();
        foreach (var (key, value) in YamlPairs(yaml.Split('\n')))
        {
            switch (key.ToLowerInvariant())
            {
                case "type": m.Type = value; break;
                case "parameter sets": m.ParameterSets.AddRange(List(value)); break;
                case "aliases": m.Aliases.AddRange(List(value)); break;
                case "accepted values": m.AcceptedValues.AddRange(List(value)); break;
                case "required": m.Required = Bool(help, parameter, key, value); break;
                case "position": m.Position = value; break;
                case "default value": m.DefaultValue = value; break;
                case "accept pipeline input": m.PipelineInput = value; break;
                case "accept wildcard characters": m.Wildcards = Bool(help, parameter, key, value); break;
                default: throw Bad(help, $"-{parameter}: unknown yaml key '{key}'");
            }
        }
        if (m.Type.Length == 0) throw Bad(help, $"-{parameter}: yaml block without 'Type:'");
        if (m.ParameterSets.Count == 0) throw Bad(help, $"-{parameter}: yaml block without 'Parameter Sets:'");
        return m;
    }

    private static bool Bool(CommandHelp help, string parameter, string key, string value) =>
        bool.TryParse(value, out bool b) ? b : throw Bad(help, $"-{parameter}: '{key}: {value}' is not True or False");

    private static IEnumerable<string> List(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IEnumerable<(string, string)> YamlPairs(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line == "---") continue;
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            yield return (line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
    }

    private static IEnumerable<string> Lines(LeafBlock block)
    {
        var lines = block.Lines;
        for (int i = 0; i < lines.Count; i++) yield return lines.Lines[i].ToString();
    }

    /// <summary>Paragraphs as text; list items become "- item" paragraphs.</summary>
    private static List<string> Paragraphs(Block block)
    {
        var result = new List<string>();
        switch (block)
        {
            case ParagraphBlock p:
                result.Add(Text(p.Inline).Trim());
                break;
            case ListBlock list:
                foreach (var item in list.OfType<ListItemBlock>())
                    result.Add("- " + string.Join(" ", item.SelectMany(Paragraphs)));
                break;
            case QuoteBlock quote:
                foreach (var b in quote) result.AddRange(Paragraphs(b));
                break;
            case CodeBlock code:
                result.Add(string.Join("\n", Lines(code)));
                break;
        }
        return result;
    }

    /// <summary>
    /// The links in a block's text. A paragraph's links are inlines, which
    /// Markdig's block-walking Descendants does not reach: each leaf block's
    /// inline tree is searched, and container blocks (lists) are walked.
    /// </summary>
    private static IEnumerable<LinkInline> Links(Block block) => block switch
    {
        LeafBlock { Inline: { } inline } => inline.FindDescendants<LinkInline>(),
        ContainerBlock container => container.SelectMany(Links),
        _ => Enumerable.Empty<LinkInline>(),
    };

    private static string Text(ContainerInline? inline)
    {
        if (inline == null) return "";
        var sb = new System.Text.StringBuilder();
        foreach (var i in inline)
        {
            switch (i)
            {
                case LiteralInline lit: sb.Append(lit.Content.ToString()); break;
                case CodeInline code: sb.Append(code.Content); break;
                case LineBreakInline br: sb.Append(br.IsHard ? "\n" : " "); break;
                case ContainerInline c: sb.Append(Text(c)); break;
                case HtmlEntityInline entity: sb.Append(entity.Transcoded.ToString()); break;
                case AutolinkInline auto: sb.Append(auto.Url); break;
            }
        }
        return sb.ToString();
    }

    private static InvalidDataException Bad(CommandHelp help, string what) => new($"{help.SourcePath}: {what}");
}
