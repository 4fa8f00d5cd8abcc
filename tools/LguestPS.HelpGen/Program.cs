using System.Xml;
using LguestPS.HelpGen;

// LguestPS.HelpGen <docs/cmdlets folder> <output MAML file>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: LguestPS.HelpGen <markdown folder> <output -Help.xml>");
    return 2;
}
try
{
    var commands = Directory.GetFiles(args[0], "*.md").Order(StringComparer.Ordinal)
        .Select(MarkdownHelpReader.ReadFile).ToList();
    if (commands.Count == 0) throw new InvalidDataException($"{args[0]}: no *.md files");
    var maml = MamlWriter.ToMaml(commands);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    using (var w = XmlWriter.Create(args[1], new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) }))
        maml.Save(w);
    Console.WriteLine($"LguestPS.HelpGen: {commands.Count} cmdlets -> {args[1]}");
    return 0;
}
catch (Exception e) when (e is InvalidDataException or IOException or System.Xml.XmlException)
{
    Console.Error.WriteLine($"LguestPS.HelpGen: {e.Message}");
    return 1;
}
