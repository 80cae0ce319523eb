package dev.caravan.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as operators run it: the packaged jar started by {@code bin/caravan} (with its start-up
 * cache, which the first start prepares) in a JVM of its own, working in a directory with
 * a copy of the project's {@code config/} and {@code routes/}, so the shipped configuration applies
 * (the embedded H2 in {@code ./data} included). For tests that kill it: {@link #kill()} sends SIGKILL.
 * Its output goes to a file under {@code target/} named after the test.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path workDir;
    private final List<String> arguments;
    private final String javaOptions;
    private final Path log;
    private Process process;
    private int port;

    /** @param arguments Spring arguments ({@code --key=value}) beyond the port, which is chosen here */
    public GatewayProcess(Path workDir, String name, List<String> arguments) throws IOException {
        this(workDir, name, arguments, "-Xmx512m");
    }

    /** @param javaOptions the JVM's options ({@code JAVA_OPTS} of {@code bin/caravan}) */
    public GatewayProcess(Path workDir, String name, List<String> arguments, String javaOptions) throws IOException {
        this.workDir = workDir;
        this.arguments = List.copyOf(arguments);
        this.javaOptions = javaOptions;
        Path project = Path.of("").toAbsolutePath();
        for (String folder : List.of("config", "routes")) {
            // copies: Camel's route loader does not follow a symbolic link to the folder
            Files.createDirectories(workDir.resolve(folder));
            try (var files = Files.list(project.resolve(folder))) {
                for (Path file : files.toList()) {
                    Files.copy(file, workDir.resolve(folder).resolve(file.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        this.log = project.resolve("target").resolve("gateway-process-" + name + ".log");
    }

    /** Starts it (again) on a free port and waits until it is ready. */
    public GatewayProcess start() throws IOException, InterruptedException {
        port = freePort();
        List<String> command = new ArrayList<>();
        // bin/caravan execs the JVM, so the process is the gateway's own (kill() reaches it)
        command.add(Path.of("bin", "caravan").toAbsolutePath().toString());
        command.add("--server.port=" + port);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("CARAVAN_JAR", jar().toString());
        builder.environment().put("JAVA_OPTS", javaOptions);
        process = builder.start();
        // the first start of a new jar also prepares its start-up cache (a training start)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + process.exitValue() + "; see " + log);
            }
            if (ready()) {
                return this;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the gateway was not ready within 240 s; see " + log);
    }

    /** What gateways of this name wrote so far (standard output and error; appended to, start after start). */
    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: a graceful stop. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness")).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path jar() throws IOException {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().matches("caravan-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/caravan-*.jar: run mvn verify (package comes first)"))
                    .toAbsolutePath();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
