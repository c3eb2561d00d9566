fn main() {
    std::process::exit(flaskgen::main_with(std::env::args_os().collect()));
}
