namespace LguestPS.HelpGen;

/// <summary>One cmdlet's help, as platyPS markdown describes it.</summary>
public sealed class CommandHelp
{
    public string Name { get; set; } = "";
    public string SourcePath { get; set; } = "";
    public Dictionary<string, string> FrontMatter { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Synopsis { get; } = new();
    public List<SyntaxSet> Syntax { get; } = new();
    public List<string> Description { get; } = new();
    public List<ExampleHelp> Examples { get; } = new();
    public List<ParameterHelp> Parameters { get; } = new();
    public bool HasCommonParameters { get; set; }
    public List<TypeHelp> Inputs { get; } = new();
    public List<TypeHelp> Outputs { get; } = new();
    public List<string> Notes { get; } = new();
    public List<(string Text, string Uri)> RelatedLinks { get; } = new();

    public string Verb => Name.Split('-', 2)[0];
    public string Noun => Name.Contains('-') ? Name.Split('-', 2)[1] : "";
}

public sealed record SyntaxSet(string Name, bool IsDefault, string Code);

public sealed class ExampleHelp
{
    public string Title { get; set; } = "";
    /// <summary>The first code block: the commands of the example.</summary>
    public string Code { get; set; } = "";
    /// <summary>Further code blocks: output shown to the reader.</summary>
    public List<string> Output { get; } = new();
    public List<string> Remarks { get; } = new();
}

public sealed class ParameterHelp
{
    public string Name { get; set; } = "";
    public List<string> Description { get; } = new();
    /// <summary>One block per group of parameter sets in which the parameter's metadata is the same.</summary>
    public List<ParameterMetadata> Metadata { get; } = new();
}

public sealed class ParameterMetadata
{
    public string Type { get; set; } = "";
    /// <summary>Set names, or "(All)".</summary>
    public List<string> ParameterSets { get; } = new();
    public List<string> Aliases { get; } = new();
    public List<string> AcceptedValues { get; } = new();
    public bool Required { get; set; }
    /// <summary>A number, or "Named".</summary>
    public string Position { get; set; } = "Named";
    public string DefaultValue { get; set; } = "None";
    /// <summary>"False", "True (ByValue)", "True (ByPropertyName)" or "True (ByPropertyName, ByValue)".</summary>
    public string PipelineInput { get; set; } = "False";
    public bool Wildcards { get; set; }

    public bool AppliesTo(string set) =>
        ParameterSets.Contains("(All)") || ParameterSets.Contains(set, StringComparer.OrdinalIgnoreCase);
}

public sealed record TypeHelp(string TypeName, List<string> Description);
