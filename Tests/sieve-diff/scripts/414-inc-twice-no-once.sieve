require "include";
include :personal "filer";
include :personal "filer";
