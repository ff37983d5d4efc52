require "include";
include :personal "does-not-exist";
