redirect 42;
