require ["imap4flags", "variables", "fileinto"];
set "f" "a b";
addflag "f" "c";
fileinto :flags "${f}" "X";
