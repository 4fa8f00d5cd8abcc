namespace LguestPS.Engine.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("lguest: not yet");
        return 1;
    }
}
