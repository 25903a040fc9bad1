using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Vdi.Tests.ThinClients;

/// <summary>
/// A bare RFC 6455 client that reports frames as they are, close codes included: .NET's ClientWebSocket rejects the
/// original's close code 2000 as reserved, while VeiL Connect (libsoup) reads it.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private Stream _stream = Stream.Null;

    public async Task ConnectAsync(Uri url)
    {
        await _tcp.ConnectAsync(url.Host, url.Port);
        _stream = _tcp.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: veil_connect_trusted_origin\r\n\r\n";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var header = new StringBuilder();
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            var b = _stream.ReadByte();
            if (b < 0)
            {
                throw new IOException("the server closed during the handshake");
            }

            header.Append((char)b);
        }

        if (!header.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException($"no upgrade: {header}");
        }
    }

    /// <summary>The next data or close frame (pings are answered): opcode 1 text, 8 close (payload starts with the code).</summary>
    public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync(CancellationToken ct)
    {
        while (true)
        {
            var head = await ReadExactlyAsync(2, ct);
            var opcode = head[0] & 0x0F;
            long length = head[1] & 0x7F;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2, ct));
            }
            else if (length == 127)
            {
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8, ct));
            }

            var payload = await ReadExactlyAsync((int)length, ct);
            if (opcode == 9)
            {
                await WriteAsync(0xA, payload); // pong
                continue;
            }

            return (opcode, payload);
        }
    }

    public static int CloseCode(byte[] payload) => payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;

    private async Task WriteAsync(int opcode, byte[] payload)
    {
        var mask = RandomNumberGenerator.GetBytes(4);
        var frame = new List<byte> { (byte)(0x80 | opcode), (byte)(0x80 | payload.Length) };
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await _stream.WriteAsync(frame.ToArray());
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
