require "include";
include :personal "recursive_b";
