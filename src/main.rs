//! The `apiconform` executable: the command line is [`apiconform::cli`].

/// Many small JSON values are allocated and freed per case (and per request in the embedded
/// reference server): mimalloc does that with a fraction of glibc malloc's time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    apiconform::cli::main()
}
