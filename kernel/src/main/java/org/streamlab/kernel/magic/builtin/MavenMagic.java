package org.streamlab.kernel.magic.builtin;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.streamlab.kernel.KernelSession;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicUsageException;

/** {@code %maven G:A:V}: Maven Resolver against Maven Central, cached in the user's local repository. */
final class MavenMagic {
    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    private static RepositorySystem system;

    private MavenMagic() {}

    static Object run(KernelSession session, MagicContext ctx, MagicArgs args) throws Exception {
        List<String> coordinates = args.parse().positional();
        if (coordinates.isEmpty()) {
            throw new MagicUsageException("missing GROUP:ARTIFACT:VERSION");
        }
        for (String c : coordinates) {
            if (c.split(":").length < 3) {
                throw new MagicUsageException("'" + c + "' is not GROUP:ARTIFACT:VERSION");
            }
        }
        RepositorySystem repo = system();
        DefaultRepositorySystemSession rs = MavenRepositorySystemUtils.newSession();
        Path local = Path.of(System.getProperty("user.home"), ".m2", "repository");
        rs.setLocalRepositoryManager(repo.newLocalRepositoryManager(rs, new LocalRepository(local.toFile())));
        RemoteRepository central = new RemoteRepository.Builder("central", "default",
                session.config().get("STREAMLAB_MAVEN_REPOSITORY", CENTRAL)).build();
        CollectRequest collect = new CollectRequest();
        for (String c : coordinates) {
            collect.addDependency(new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME));
        }
        collect.setRepositories(List.of(central));
        DependencyRequest request = new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
        List<ArtifactResult> results;
        try {
            results = repo.resolveDependencies(rs, request).getArtifactResults();
        } catch (DependencyResolutionException e) {
            throw new UserError("could not resolve " + String.join(", ", coordinates) + ": " + rootMessage(e),
                    "check the coordinates on Maven Central (group:artifact:version) and the network", e);
        }
        List<String> added = new ArrayList<>();
        for (ArtifactResult r : results) {
            File f = r.getArtifact().getFile();
            if (f != null) {
                session.addToClassPath(f.getAbsolutePath());
                added.add(r.getArtifact().toString());
            }
        }
        ctx.out().println("added " + added.size() + " jar" + (added.size() == 1 ? "" : "s") + ": " + String.join(", ", added));
        return null;
    }

    private static synchronized RepositorySystem system() {
        if (system == null) {
            system = new RepositorySystemSupplier().get();
        }
        return system;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
