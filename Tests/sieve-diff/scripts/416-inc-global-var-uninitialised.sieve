require ["include", "variables", "fileinto"];
global "box";
include :personal "set_box";
fileinto "${box}";
