// A minimal Java TLS client for scripts/captures/tls.sh, run as `java TlsProbe.java HOST PORT SNI`
// (Java 11+ single-file source launch). It does one handshake with the JDK's default settings
// and prints the outcome: the negotiated protocol and suite, or the exception text the way a
// Java application would log it (e.g. "Remote host terminated the handshake").
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

public class TlsProbe {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String sni = args[2];
        SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
        try (SSLSocket socket = (SSLSocket) factory.createSocket(host, port)) {
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(sni)));
            socket.setSSLParameters(params);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            System.out.println("java: handshake completed: " + socket.getSession().getProtocol()
                + " " + socket.getSession().getCipherSuite());
        } catch (Exception e) {
            System.out.println("java: " + e);
            System.exit(1);
        }
    }
}
