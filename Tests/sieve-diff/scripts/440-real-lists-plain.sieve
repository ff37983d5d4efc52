require ["fileinto", "variables", "mailbox"];
# Sort mailing lists into Lists/<list-id>
if header :matches "List-Id" "*<*>*" {
    set :lower "list" "${2}";
    fileinto :create "Lists/${list}";
} elsif header :matches "Subject" "[*]*" {
    set :lower "tag" "${1}";
    fileinto :create "Lists/${tag}";
}
