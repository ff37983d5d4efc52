require "include";
include :personal "recursive_a";
