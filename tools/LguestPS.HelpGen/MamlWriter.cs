using System.Xml.Linq;

namespace LguestPS.HelpGen;

/*
 * Writes MAML, the XML Get-Help reads for binary modules
 * (<assembly>-Help.xml, beside the dll or in its culture folder). The shape
 * follows what platyPS writes: details, description, syntax (one item per
 * parameter set), parameters, input and return types, notes, examples and
 * related links.
 */
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument ToMaml(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                commands.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Select(Command_)));

    private static XElement Command_(CommandHelp c) =>
        new(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", c.Name),
                new XElement(Command + "verb", c.Verb),
                new XElement(Command + "noun", c.Noun),
                Description(c.Synopsis)),
            Description(c.Description),
            new XElement(Command + "syntax", SyntaxItems(c)),
            new XElement(Command + "parameters",
                c.Parameters.Select(p => Parameter(p, p.Metadata[0], syntax: false))),
            new XElement(Command + "inputTypes", c.Inputs.Select(t =>
                new XElement(Command + "inputType", TypeElement(t.TypeName), Description(t.Description)))),
            new XElement(Command + "returnValues", c.Outputs.Select(t =>
                new XElement(Command + "returnValue", TypeElement(t.TypeName), Description(t.Description)))),
            new XElement(Maml + "alertSet",
                new XElement(Maml + "alert", Paras(c.Notes))),
            new XElement(Command + "examples", c.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", c.RelatedLinks.Select(l =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", IsWebAddress(l.Uri) ? l.Uri : "")))));

    /// <summary>Get-Help -Online opens a link's uri; a link to another file of the docs has none to open.</summary>
    private static bool IsWebAddress(string uri) =>
        uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>One syntax item per parameter set, its parameters in the order the SYNTAX block shows them.</summary>
    private static IEnumerable<XElement> SyntaxItems(CommandHelp c)
    {
        var sets = c.Syntax.Count > 0 ? c.Syntax : new List<SyntaxSet> { new("(All)", true, "") };
        foreach (var set in sets)
        {
            var order = System.Text.RegularExpressions.Regex.Matches(set.Code, @"-(\w+)").Select(m => m.Groups[1].Value).ToList();
            var parameters = c.Parameters
                .Select(p => (Help: p, Meta: p.Metadata.FirstOrDefault(m => set.Name == "(All)" || m.AppliesTo(set.Name))))
                .Where(x => x.Meta != null)
                .OrderBy(x => order.FindIndex(n => n.Equals(x.Help.Name, StringComparison.OrdinalIgnoreCase)) is var i && i >= 0 ? i : int.MaxValue);
            yield return new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", c.Name),
                parameters.Select(x => Parameter(x.Help, x.Meta!, syntax: true)));
        }
    }

    private static XElement Parameter(ParameterHelp p, ParameterMetadata m, bool syntax)
    {
        bool isSwitch = m.Type.Equals("SwitchParameter", StringComparison.OrdinalIgnoreCase);
        var e = new XElement(Command + "parameter",
            new XAttribute("required", m.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", m.Wildcards ? "true" : "false"),
            new XAttribute("pipelineInput", m.PipelineInput),
            new XAttribute("position", int.TryParse(m.Position, out _) ? m.Position : "named"),
            new XAttribute("aliases", m.Aliases.Count > 0 ? string.Join(", ", m.Aliases) : "none"),
            new XElement(Maml + "name", p.Name),
            Description(p.Description));
        if (syntax && m.AcceptedValues.Count > 0)
            e.Add(new XElement(Command + "parameterValueGroup",
                m.AcceptedValues.Select(v => new XElement(Command + "parameterValue",
                    new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        if (!isSwitch || !syntax)
            e.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", isSwitch ? "false" : "true"),
                new XAttribute("variableLength", "false"), m.Type));
        e.Add(TypeElement(m.Type));
        e.Add(new XElement(Dev + "defaultValue", m.DefaultValue));
        return e;
    }

    private static XElement Example(ExampleHelp x, int index) =>
        new(Command + "example",
            new XElement(Maml + "title", $"-------------------------- {x.Title} --------------------------"),
            new XElement(Dev + "code", x.Code),
            new XElement(Dev + "remarks", Paras(x.Output.Concat(x.Remarks))));

    private static XElement TypeElement(string name) =>
        new(Dev + "type", new XElement(Maml + "name", name), new XElement(Maml + "uri"));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paras(paragraphs));

    private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));
}
